// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "vm.h"

int km_open_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int km_check_cap(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? -errno : r;
}

int __km_vm_create(struct km_vm *vm, unsigned int ipa_bits)
{
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	vm->kvm_fd = km_open_kvm();
	if (vm->kvm_fd < 0)
		return vm->kvm_fd;
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, KVM_VM_TYPE_ARM_IPA_SIZE(ipa_bits));
	if (vm->fd < 0) {
		r = -errno;
		close(vm->kvm_fd);
		vm->kvm_fd = -1;
		return r;
	}
	vm->ipa_bits = ipa_bits;
	return 0;
}

void km_vm_create(struct km_vm *vm, unsigned int ipa_bits)
{
	int r = __km_vm_create(vm, ipa_bits);

	errno = -r;
	KM_CHECK(r == 0, "KVM_CREATE_VM(ipa_bits=%u)", ipa_bits);
}

void km_vm_destroy(struct km_vm *vm)
{
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->fd = vm->kvm_fd = -1;
}

int __km_enable_cap(int fd, u32 cap, u64 arg0)
{
	struct kvm_enable_cap ec = { .cap = cap, .args = { arg0 } };

	return ioctl(fd, KVM_ENABLE_CAP, &ec) < 0 ? -errno : 0;
}

int __km_vcpu_create(struct km_vm *vm, struct km_vcpu *vcpu, unsigned int id)
{
	struct kvm_vcpu_init init;
	int r;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return -errno;
	memset(&init, 0, sizeof(init));
	if (ioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		goto err;
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		goto err;
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		goto err;
	}
	return 0;
err:
	r = -errno;
	close(vcpu->fd);
	vcpu->fd = -1;
	return r;
}

void km_vcpu_create(struct km_vm *vm, struct km_vcpu *vcpu, unsigned int id)
{
	int r = __km_vcpu_create(vm, vcpu, id);

	errno = -r;
	KM_CHECK(r == 0, "create and init vCPU %u", id);
}

void km_vcpu_destroy(struct km_vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

int __km_get_reg(struct km_vcpu *vcpu, u64 id, u64 *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (u64)(uintptr_t)val };

	return ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg) < 0 ? -errno : 0;
}

u64 km_get_reg(struct km_vcpu *vcpu, u64 id)
{
	u64 v = 0;

	KM_CHECK(__km_get_reg(vcpu, id, &v) == 0, "KVM_GET_ONE_REG 0x%llx",
		 (unsigned long long)id);
	return v;
}

void km_set_reg(struct km_vcpu *vcpu, u64 id, u64 val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (u64)(uintptr_t)&val };

	KM_CHECK(ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg) == 0, "KVM_SET_ONE_REG 0x%llx",
		 (unsigned long long)id);
}

static volatile sig_atomic_t run_timer_fired;

static void run_timer_handler(int sig)
{
	run_timer_fired = 1;
}

static void arm_run_timer(unsigned int ms)
{
	struct itimerval it = { 0 };
	struct sigaction sa = { 0 };

	if (!ms)
		return;
	/* No SA_RESTART: the signal must make KVM_RUN return -EINTR. */
	sa.sa_handler = run_timer_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	run_timer_fired = 0;
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_run_timer(unsigned int ms)
{
	struct itimerval it = { 0 };

	if (ms)
		setitimer(ITIMER_REAL, &it, NULL);
}

void km_vcpu_run(struct km_vcpu *vcpu, unsigned int timeout_ms, struct km_exit *x)
{
	struct kvm_run *run = vcpu->run;
	double t0 = km_now();
	int r;

	memset(x, 0, sizeof(*x));
	/*
	 * What this KVM_RUN does not write must not pass for its answer: a
	 * failed run may leave exit_reason and the memory_fault fields as the
	 * previous exit had them.  Not after an MMIO exit, whose exit_reason
	 * and data KVM reads back to complete the access.
	 */
	if (run->exit_reason != KVM_EXIT_MMIO) {
		run->exit_reason = KM_EXIT_POISON;
		memset(km_run_memory_fault(run), 0xa5, sizeof(struct km_memory_fault));
	}
	arm_run_timer(timeout_ms);
	r = ioctl(vcpu->fd, KVM_RUN, 0);
	x->err = r < 0 ? errno : 0;
	disarm_run_timer(timeout_ms);
	x->secs = km_now() - t0;
	x->reason = run->exit_reason;

	if (r < 0 && x->err == EINTR && run_timer_fired) {
		x->kind = KM_X_TIMEOUT;
		return;
	}
	if (r < 0) {
		x->kind = KM_X_ERROR;
		if (run->exit_reason == KVM_EXIT_MEMORY_FAULT) {
			x->kind = KM_X_MEMORY_FAULT;
			x->mf = *km_run_memory_fault(run);
		}
		return;
	}
	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		x->kind = KM_X_MMIO;
		x->addr = run->mmio.phys_addr;
		x->len = run->mmio.len;
		x->is_write = run->mmio.is_write;
		if (x->is_write && x->len <= 8)
			memcpy(&x->data, run->mmio.data, x->len);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		x->kind = KM_X_SYSTEM_EVENT;
		x->sys_type = run->system_event.type;
		break;
	default:
		x->kind = KM_X_OTHER;
		break;
	}
}

void km_vcpu_mmio_reply(struct km_vcpu *vcpu, u64 data)
{
	struct kvm_run *run = vcpu->run;

	if (run->mmio.len <= 8)
		memcpy(run->mmio.data, &data, run->mmio.len);
}

const char *km_exit_kind_str(enum km_exit_kind k)
{
	static const char *const names[] = {
		[KM_X_DONE] = "done", [KM_X_SYNC] = "sync", [KM_X_PANIC] = "agent-panic",
		[KM_X_MMIO] = "mmio", [KM_X_MEMORY_FAULT] = "memory-fault",
		[KM_X_SYSTEM_EVENT] = "system-event", [KM_X_ERROR] = "error",
		[KM_X_TIMEOUT] = "timeout", [KM_X_OTHER] = "other",
	};

	return k < KM_ARRAY_SIZE(names) && names[k] ? names[k] : "?";
}

const char *km_exit_describe(const struct km_exit *x, char *buf, size_t len)
{
	switch (x->kind) {
	case KM_X_MMIO:
		snprintf(buf, len, "mmio %s addr=0x%llx len=%u data=0x%llx",
			 x->is_write ? "write" : "read", (unsigned long long)x->addr, x->len,
			 (unsigned long long)x->data);
		break;
	case KM_X_MEMORY_FAULT:
		snprintf(buf, len, "KVM_RUN errno %d (%s), memory fault gpa=0x%llx size=0x%llx flags=0x%llx",
			 x->err, strerror(x->err), (unsigned long long)x->mf.gpa,
			 (unsigned long long)x->mf.size, (unsigned long long)x->mf.flags);
		break;
	case KM_X_ERROR:
		snprintf(buf, len, "KVM_RUN errno %d (%s), exit_reason %u", x->err,
			 strerror(x->err), x->reason);
		break;
	case KM_X_TIMEOUT:
		snprintf(buf, len, "no exit within %.1f s", x->secs);
		break;
	default:
		snprintf(buf, len, "%s (exit_reason %u)", km_exit_kind_str(x->kind), x->reason);
		break;
	}
	return buf;
}

# attach/: ptrace, process_vm_readv, /proc.
noinst_LIBRARIES += libattach.a
libattach_a_SOURCES = attach/attach.h attach/procfs.h common/log.h

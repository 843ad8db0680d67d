# BPF programs (owned by bpf/): placeholder until the scheduler lands.
.PHONY: bpf
bpf:

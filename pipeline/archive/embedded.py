"""The embedded S3 store on this machine: SeaweedFS on 127.0.0.1, started, stopped and asked
for its state and generated credentials (the default archive when no endpoint is set)."""

from pipeline._exec.seaweedfs import (
    Credentials,
    Layout,
    Status,
    down,
    free_port,
    read_credentials,
    status,
    up,
    write_security_config,
)

__all__ = ["Credentials", "Layout", "Status", "down", "free_port", "read_credentials", "status", "up",
           "write_security_config"]

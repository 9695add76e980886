"""mgov: run a government's digital service channels as a system.

The public API grows here as layers land; importing this package does no work.
"""

__version__ = "0.1.0"

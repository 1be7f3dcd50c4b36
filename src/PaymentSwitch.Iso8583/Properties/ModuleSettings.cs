// Stack buffers in the parse and build paths are always written before they are read: skip zeroing them.
[module: System.Runtime.CompilerServices.SkipLocalsInit]

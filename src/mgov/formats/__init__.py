"""Reading and writing registry files: the .gov registry, the native CSV and YAML formats."""

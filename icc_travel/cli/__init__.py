"""The command-line layer: parses arguments, calls the library, renders results."""

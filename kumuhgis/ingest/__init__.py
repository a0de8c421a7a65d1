"""Files into the store: readers for office formats, validation, and the import itself."""

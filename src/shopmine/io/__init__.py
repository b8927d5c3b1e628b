"""Reading order logs: file formats, column mapping, presets, date and number parsing."""

"""What every workspace of the desk uses: task threads, errors, texts, shortcuts."""

"""The CV: its document, publishing, and the cv commands."""

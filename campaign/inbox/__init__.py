"""Answers by e-mail: read the office mailbox over IMAP, recognise and take in replies."""

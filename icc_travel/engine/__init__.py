"""Answers built from the data, the law and the geography: checks, batches, tables, timelines."""

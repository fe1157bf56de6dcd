"""Places, territories, legs: where a stop or an aircraft is, and whose territory that is."""

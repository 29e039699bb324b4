"""Running learner code in a separate, limited process."""

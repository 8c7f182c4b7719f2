"""Staff tools: `faqbot evaluate` (scores on a test set) and `faqbot report` (what the log shows)."""

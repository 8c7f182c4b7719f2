"""The conversation log: what customers asked and what they got, personal data masked."""

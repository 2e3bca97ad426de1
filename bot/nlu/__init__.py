"""Custom Rasa NLU components of the family (the rule-based safety net)."""

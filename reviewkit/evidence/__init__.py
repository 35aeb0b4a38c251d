"""Evidence summaries: the extraction sheet, statistics, figures and prose."""

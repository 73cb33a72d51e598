"""Reports on the progression store: history tables for the terminal and CSV export."""

"""mlsyslabs: interactive ML systems labs and the analytical engine behind them."""
__version__ = "0.1.0"

"""Text analysis without a trained model: language, index terms, personal data, products."""

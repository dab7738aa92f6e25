"""Sample contexts per message key, one module per feature, for the render-every-key test."""

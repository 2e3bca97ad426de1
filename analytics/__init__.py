"""Analytics over Rasa's SQL tracker store: streamed conversations, figures, reports,
exports, retention and deletion on request, with visitors' data protected (RGPD)."""

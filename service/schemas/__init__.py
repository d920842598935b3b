"""marshmallow schemas at the edges: explicit field lists, strict types, Vietnamese messages."""

"""The values and rules every stage shares: the data model, errors, the record, settings, the commune list, Vietnamese text and names."""

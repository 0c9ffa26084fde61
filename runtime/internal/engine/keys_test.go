package engine

// Cache key identity for values with no JSON text, and nested date-times (issue 11, class 1).

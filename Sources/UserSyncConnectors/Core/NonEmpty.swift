/// The value, unless it is missing or only whitespace (platforms send "" and " " for absent
/// fields). Checked scalar by scalar: this runs for every field of every listed user.
func nonEmpty(_ value: String?) -> String? {
    guard let value, value.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else { return nil }
    return value
}

/// The join key of people across platforms.
public enum EmailAddress {
    /// Trimmed and lower-cased, as the database's generated `email_normalized` columns compute it
    /// (`lower(btrim(email))`); empty becomes nil. Plus-addresses stay distinct.
    public static func normalize(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let trimmed = raw.trimmingCharacters(in: [" "]).lowercased()
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// A confirmation pop-up (a page without script): what will happen, and the button that does it.
struct Confirmation {
    let heading: String
    let points: [String]
    let action: String
    let hidden: [Hidden]
    let confirm: String
    let danger: Bool
    let cancel: String
    let canConfirm: Bool

    struct Hidden {
        let name: String
        let value: String
    }
}

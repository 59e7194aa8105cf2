import Crypto
import Foundation
import Hummingbird
import Mustache
import UserSyncDomain
import UserSyncUseCases

/// Renders the console's pages from the template files in `Console/Templates` (loaded once, at
/// start-up) and serves its one stylesheet and one script from `Console/Static`. Templates are
/// Mustache: every `{{value}}` is HTML-escaped, and no template writes raw HTML.
struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary
    let assets: [String: Asset]

    struct Asset: Sendable {
        var body: ByteBuffer
        var contentType: String
        /// A hash of the content, put into the asset's URL so browsers cache it for good.
        var version: String
    }

    init() throws {
        let bundle = try APIResources.directory()
        let templates = bundle.appendingPathComponent("Templates"), statics = bundle.appendingPathComponent("Static")
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(at: templates, includingPropertiesForKeys: nil)
        where file.pathExtension == "mustache" {
            do {
                library.register(
                    try MustacheTemplate(string: String(contentsOf: file, encoding: .utf8)), named: file.deletingPathExtension().lastPathComponent)
            } catch {
                throw APIResourceError(description: "template \(file.lastPathComponent) does not parse: \(error)")
            }
        }
        var assets: [String: Asset] = [:]
        for (name, type) in [("console.css", "text/css; charset=utf-8"), ("console.js", "text/javascript; charset=utf-8")] {
            let data = try Data(contentsOf: statics.appendingPathComponent(name))
            let version = Data(SHA256.hash(data: data)).prefix(8).map { String(format: "%02x", $0) }.joined()
            assets[name] = Asset(body: ByteBuffer(bytes: data), contentType: type, version: version)
        }
        self.library = library
        self.assets = assets
    }

    func assetURL(_ name: String) -> String { "/console/static/\(name)?v=\(assets[name]?.version ?? "0")" }

    /// A whole page: the layout's chrome (navigation, who is signed in, the CSRF token) around
    /// `template` rendered with `body`.
    func page(
        _ template: String, title: String, identity: ConsoleIdentity?, section: Chrome.Section? = nil, body: Any,
        status: HTTPResponse.Status = .ok, notice: String? = nil, refresh: Bool = false
    ) -> Response {
        let chrome = Chrome(
            title: title, identity: identity, section: section, notice: notice, refresh: refresh,
            stylesheet: assetURL("console.css"), script: assetURL("console.js"))
        let html =
            library.render(PageView(chrome: chrome, body: body), withTemplate: template)
            ?? "<!doctype html><title>UserSync</title><p>This page could not be shown.</p>"
        var response = Response(status: status, body: .init(byteBuffer: ByteBuffer(string: html)))
        response.headers[.contentType] = "text/html; charset=utf-8"
        return response
    }

    struct PageView {
        let chrome: Chrome
        let body: Any
    }
}

/// What every signed-in page shows around its content.
struct Chrome {
    enum Section: String {
        case connect, importing, people, autoSync, activity, keys, members, jobs
    }

    struct NavItem {
        let label: String
        let href: String
        let current: Bool
        let group: String?
    }

    let title: String
    let signedIn: Bool
    let organization: String
    let base: String
    let who: String
    let role: String
    let viewer: Bool
    let csrf: String
    let nav: [NavItem]
    let notice: String?
    let refresh: Bool
    let stylesheet: String
    let script: String

    init(title: String, identity: ConsoleIdentity?, section: Section?, notice: String?, refresh: Bool, stylesheet: String, script: String) {
        self.title = title
        self.signedIn = identity != nil
        self.organization = identity?.organization.name ?? ""
        let base = identity.map { "/console/\($0.organization.slug.rawValue)" } ?? "/console"
        self.base = base
        self.who = identity?.name ?? ""
        self.role = identity?.role.rawValue ?? ""
        self.viewer = identity.map { !$0.canWrite } ?? false
        self.csrf = identity?.csrfToken ?? ""
        let items: [(String, String, Section, String?)] = [
            ("Connect Center", "connect", .connect, nil),
            ("Import teams and users", "import", .importing, "User Sync"),
            ("Sync users", "people", .people, "User Sync"),
            ("Auto Sync", "auto-sync", .autoSync, "User Sync"),
            ("Activity", "activity", .activity, nil),
            ("API keys", "keys", .keys, nil),
            ("Members", "members", .members, nil),
            ("Jobs", "jobs", .jobs, nil),
        ]
        self.nav = identity == nil ? [] : items.map { NavItem(label: $0.0, href: "\(base)/\($0.1)", current: $0.2 == section, group: $0.3) }
        self.notice = notice
        self.refresh = refresh
        self.stylesheet = stylesheet
        self.script = script
    }
}

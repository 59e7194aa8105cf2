extension SimOpenID {
    /// The most admins offered per organization, so a demo with many organizations stays readable.
    static let adminsPerOrganization = 5

    /// The sign-in page: a login field (pre-filled from `login_hint`), Allow/Deny, and a button per
    /// admin of each simulated organization so a person trying the demo can pick one.
    func signInPage(_ signIn: SignIn, formAction: String) -> SimReply {
        let hidden = signIn.formFields.map { SimHTML.hidden($0.0, $0.1) }.joined()
        let platformName = signIn.provider == .slack ? "Slack" : "Microsoft"
        var body = """
            <p>An app asks you to sign in with \(platformName) (simulated). No password is checked.</p>
            <form method="post" action="\(SimHTML.escape(formAction))">\(hidden)
            <label>Sign in as (email or user id) <input name="login" value="\(SimHTML.escape(signIn.loginHint ?? ""))"></label>
            <button name="decision" value="allow">Allow</button> <button name="decision" value="deny">Deny</button>
            </form>
            """
        let offered = admins(signIn.provider, in: signIn.organization)
        if !offered.isEmpty {
            body += "<h2>Or sign in as an administrator</h2>"
            for (organization, admins) in offered {
                let buttons = admins.map { admin in
                    """
                    <li><button name="pick" value="\(SimHTML.escape(admin.id))">\(SimHTML.escape(admin.displayName))</button> \
                    \(SimHTML.escape(admin.email)) (\(SimHTML.escape(admin.role)))</li>
                    """
                }.joined()
                body += """
                    <form method="post" action="\(SimHTML.escape(formAction))">\(hidden)
                    <h3>\(SimHTML.escape(organization))</h3><ul>\(buttons)</ul></form>
                    """
            }
        }
        return SimHTML.page(title: "Sign in with \(platformName)", body: body)
    }

    /// Each organization's active admins on the provider's platform, organizations by name.
    func admins(_ provider: SimOpenIDProvider, in only: String? = nil) -> [(String, [SimAdmin])] {
        organizations(only).compactMap { organization in
            let directory = organization.directory(provider.platform)
            let admins = (organization.admins[provider.platform.rawValue] ?? [])
                .filter { directory.account($0.id)?.active == true }
                .prefix(Self.adminsPerOrganization)
            return admins.isEmpty ? nil : (organization.name, Array(admins))
        }
    }
}

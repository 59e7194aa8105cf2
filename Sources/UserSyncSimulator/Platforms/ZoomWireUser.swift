import Foundation
import HTTPTypes
import Hummingbird
import UserSyncDomain

struct ZoomWireUsers: Encodable {
    var next_page_token: String
    var page_count: Int
    var page_number: Int
    var page_size: Int
    var total_records: Int
    var users: [ZoomWireUser]
}

struct ZoomWireUser: Encodable {
    var id: String
    var first_name: String
    var last_name: String
    var display_name: String
    var email: String
    var type: Int
    var status: String
    var verified: Int
    var dept: String
    var group_ids: [String]
    var timezone: String
    var jid: String?

    init(_ account: SimAccount, status: String) {
        id = account.id
        first_name = account.firstName
        last_name = account.lastName
        display_name = account.displayName
        email = account.primaryEmail ?? ""
        type = 2
        self.status = status
        verified = 1
        dept = "Engineering"
        group_ids = []
        timezone = "Europe/London"
    }
}

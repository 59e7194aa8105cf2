import Mustache

// The Sync users page renders thousands of values per page. swift-mustache finds a value by
// reflecting over its object (a `Mirror` per lookup, and more as names are looked up the context
// stack), which took most of the page's time; these answer by name directly. A test holds each to
// its type's stored properties.

extension ConsoleRenderer.PageView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "chrome": chrome
        case "body": body
        default: nil
        }
    }
}

extension Chrome: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "signedIn": signedIn
        case "organization": organization
        case "base": base
        case "who": who
        case "role": role
        case "viewer": viewer
        case "csrf": csrf
        case "nav": nav
        case "notice": notice
        case "refresh": refresh
        case "stylesheet": stylesheet
        case "script": script
        default: nil
        }
    }
}

extension Chrome.NavItem: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "href": href
        case "current": current
        case "group": group
        default: nil
        }
    }
}

extension PeoplePage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "missing": missing
        case "filters": filters
        case "columns": columns
        case "rows": rows
        case "none": none
        case "next": next
        case "first": first
        case "here": here
        case "bulkActions": bulkActions
        case "filterFields": filterFields
        case "canWrite": canWrite
        case "refresh": refresh
        default: nil
        }
    }
}

extension PeoplePage.Filters: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "search": search
        case "platforms": platforms
        case "primaries": primaries
        case "syncPlatforms": syncPlatforms
        case "syncStatuses": syncStatuses
        case "sorts": sorts
        case "active": active
        default: nil
        }
    }
}

extension PeoplePage.Option: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "value": value
        case "label": label
        case "selected": selected
        default: nil
        }
    }
}

extension PeoplePage.Column: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "platform": platform
        default: nil
        }
    }
}

extension PeoplePage.Row: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "name": self.name
        case "email": email
        case "href": href
        case "platforms": platforms
        case "deactivated": deactivated
        case "primaryChoice": primaryChoice
        case "primaryText": primaryText
        case "cells": cells
        case "menu": menu
        case "nextPrompt": nextPrompt
        default: nil
        }
    }
}

extension PeoplePage.PrimaryChoice: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "action": action
        case "options": options
        case "label": label
        default: nil
        }
    }
}

extension PeoplePage.Cell: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "column": column
        case "state": state
        case "icon": icon
        case "label": label
        case "tooltip": tooltip
        case "href": href
        default: nil
        }
    }
}

extension PeoplePage.MenuItem: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "href": href
        case "danger": danger
        default: nil
        }
    }
}

extension Confirmation.Hidden: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "value": value
        default: nil
        }
    }
}

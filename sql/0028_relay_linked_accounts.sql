-- The relay finds the link sync of the linked account a DM was written to (Webex reports DMs to a
-- linked account through the person's own webhook, read with their token): by linked account.
CREATE INDEX syncs_by_linked_account ON syncs (org_id, linked_account_id) WHERE linked_account_id IS NOT NULL;

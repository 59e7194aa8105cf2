-- The relay reads a message's two people straight from people_directory (one prepared
-- statement): the function that read one person at a time has no caller left.
DROP FUNCTION usersync_person_current(uuid, uuid);

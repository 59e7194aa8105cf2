import Testing
import UserSyncPersistence
import UserSyncTestSupport

@Suite struct SQLScriptTests {
    @Test func splitsOnlyOnTopLevelSemicolons() {
        let sql = """
            -- a comment; not a statement
            CREATE TABLE a (x text DEFAULT ';');
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
            CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $body$ SELECT 'a;b' $body$;
            /* block; comment */ SELECT "odd;name" FROM a;
            SELECT $1
            """
        let statements = SQLScript.statements(sql)
        #expect(statements.count == 5)
        #expect(statements[0].hasSuffix("DEFAULT ';')"))
        #expect(statements[1].contains("RETURN 1; END $$"))
        #expect(statements[2].contains("$body$ SELECT 'a;b' $body$"))
        #expect(statements[3].contains("\"odd;name\""))
        #expect(statements[4] == "SELECT $1")
    }

    @Test func everyMigrationFileSplitsIntoStatements() throws {
        let files = try MigrationFile.load(from: TestEnvironment.sqlDirectory)
        #expect(files.first?.name == "0001_service_role_and_helpers.sql")
        for file in files {
            #expect(!SQLScript.statements(file.sql).isEmpty, "\(file.name)")
        }
    }
}

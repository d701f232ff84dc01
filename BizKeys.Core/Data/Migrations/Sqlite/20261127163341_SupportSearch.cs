using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BizKeys.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SupportSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Support's search by part of a key's name across every account: a trigram full-text index (FTS5). Its
            // content is a small table of names with an INTEGER PRIMARY KEY, which VACUUM keeps stable (the keys'
            // own rowids it may renumber); triggers keep both in step with the keys.
            migrationBuilder.Sql(@"
CREATE TABLE ""KeyNames"" (""RowId"" INTEGER PRIMARY KEY, ""KeyId"" TEXT NOT NULL UNIQUE, ""Name"" TEXT NOT NULL);
CREATE VIRTUAL TABLE ""KeyNameSearch"" USING fts5(""Name"", content='KeyNames', content_rowid='RowId', tokenize='trigram');
CREATE TRIGGER ""KeyNames_Inserted"" AFTER INSERT ON ""KeyNames"" BEGIN
    INSERT INTO ""KeyNameSearch"" (rowid, ""Name"") VALUES (new.""RowId"", new.""Name"");
END;
CREATE TRIGGER ""KeyNames_Deleted"" AFTER DELETE ON ""KeyNames"" BEGIN
    INSERT INTO ""KeyNameSearch"" (""KeyNameSearch"", rowid, ""Name"") VALUES ('delete', old.""RowId"", old.""Name"");
END;
CREATE TRIGGER ""KeyNames_Renamed"" AFTER UPDATE OF ""Name"" ON ""KeyNames"" BEGIN
    INSERT INTO ""KeyNameSearch"" (""KeyNameSearch"", rowid, ""Name"") VALUES ('delete', old.""RowId"", old.""Name"");
    INSERT INTO ""KeyNameSearch"" (rowid, ""Name"") VALUES (new.""RowId"", new.""Name"");
END;
CREATE TRIGGER ""ApiKeys_Named"" AFTER INSERT ON ""ApiKeys"" BEGIN
    INSERT INTO ""KeyNames"" (""KeyId"", ""Name"") VALUES (new.""Id"", new.""NormalizedName"");
END;
CREATE TRIGGER ""ApiKeys_Renamed"" AFTER UPDATE OF ""NormalizedName"" ON ""ApiKeys"" WHEN new.""NormalizedName"" <> old.""NormalizedName"" BEGIN
    UPDATE ""KeyNames"" SET ""Name"" = new.""NormalizedName"" WHERE ""KeyId"" = new.""Id"";
END;
CREATE TRIGGER ""ApiKeys_Deleted"" AFTER DELETE ON ""ApiKeys"" BEGIN
    DELETE FROM ""KeyNames"" WHERE ""KeyId"" = old.""Id"";
END;
INSERT INTO ""KeyNames"" (""KeyId"", ""Name"") SELECT ""Id"", ""NormalizedName"" FROM ""ApiKeys"";
");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(@"
DROP TRIGGER ""ApiKeys_Deleted""; DROP TRIGGER ""ApiKeys_Renamed""; DROP TRIGGER ""ApiKeys_Named"";
DROP TRIGGER ""KeyNames_Renamed""; DROP TRIGGER ""KeyNames_Deleted""; DROP TRIGGER ""KeyNames_Inserted"";
DROP TABLE ""KeyNameSearch""; DROP TABLE ""KeyNames"";
");
        }
    }
}

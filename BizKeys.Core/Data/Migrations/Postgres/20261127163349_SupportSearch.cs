using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BizKeys.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SupportSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Support's search by part of a key's name across every account: a trigram index (pg_trgm, shipped with
            // PostgreSQL and trusted, so the database's owner may add it).
            migrationBuilder.Sql(@"CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql(@"CREATE INDEX ""IX_ApiKeys_NameTrigrams"" ON ""ApiKeys"" USING gin (""NormalizedName"" gin_trgm_ops);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(@"DROP INDEX ""IX_ApiKeys_NameTrigrams"";");
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BizKeys.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class GridIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_AccountId_CreatedAt_Id",
                table: "ApiKeys");

            migrationBuilder.AlterColumn<string>(
                name: "Key",
                table: "ApiKeys",
                type: "character varying(27)",
                unicode: false,
                maxLength: 27,
                nullable: false,
                collation: "C",
                oldClrType: typeof(string),
                oldType: "character varying(27)",
                oldUnicode: false,
                oldMaxLength: 27);

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_Grid_Created",
                table: "ApiKeys",
                columns: new[] { "AccountId", "CreatedAt", "Id", "NormalizedName", "RevokedAt", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_Grid_Environment",
                table: "ApiKeys",
                columns: new[] { "AccountId", "Environment", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_Grid_Expires",
                table: "ApiKeys",
                columns: new[] { "AccountId", "ExpiresAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_Grid_Key",
                table: "ApiKeys",
                columns: new[] { "AccountId", "Key" });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_Grid_LastUsed",
                table: "ApiKeys",
                columns: new[] { "AccountId", "LastUsedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_Grid_Name",
                table: "ApiKeys",
                columns: new[] { "AccountId", "NormalizedName", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_Grid_Created",
                table: "ApiKeys");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_Grid_Environment",
                table: "ApiKeys");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_Grid_Expires",
                table: "ApiKeys");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_Grid_Key",
                table: "ApiKeys");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_Grid_LastUsed",
                table: "ApiKeys");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_Grid_Name",
                table: "ApiKeys");

            migrationBuilder.AlterColumn<string>(
                name: "Key",
                table: "ApiKeys",
                type: "character varying(27)",
                unicode: false,
                maxLength: 27,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(27)",
                oldUnicode: false,
                oldMaxLength: 27,
                oldCollation: "C");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_AccountId_CreatedAt_Id",
                table: "ApiKeys",
                columns: new[] { "AccountId", "CreatedAt", "Id" });
        }
    }
}

using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BizKeys.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class KeyChangeLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "KeyChangeLog",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KeyChangeLog", x => x.Seq);
                });

            migrationBuilder.CreateIndex(
                name: "IX_KeyChangeLog_At",
                table: "KeyChangeLog",
                column: "At");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "KeyChangeLog");
        }
    }
}

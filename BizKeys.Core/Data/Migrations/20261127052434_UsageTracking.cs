using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BizKeys.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class UsageTracking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "KeyFailures",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    KeyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Ip = table.Column<string>(type: "TEXT", maxLength: 45, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KeyFailures", x => x.Id);
                    table.ForeignKey(
                        name: "FK_KeyFailures_ApiKeys_KeyId",
                        column: x => x.KeyId,
                        principalTable: "ApiKeys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UsageBuckets",
                columns: table => new
                {
                    KeyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    HourStart = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Success = table.Column<long>(type: "INTEGER", nullable: false),
                    Malformed = table.Column<long>(type: "INTEGER", nullable: false),
                    WrongSecret = table.Column<long>(type: "INTEGER", nullable: false),
                    Expired = table.Column<long>(type: "INTEGER", nullable: false),
                    Revoked = table.Column<long>(type: "INTEGER", nullable: false),
                    IpNotAllowed = table.Column<long>(type: "INTEGER", nullable: false),
                    RateLimited = table.Column<long>(type: "INTEGER", nullable: false),
                    MissingPermission = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageBuckets", x => new { x.KeyId, x.HourStart });
                    table.ForeignKey(
                        name: "FK_UsageBuckets_ApiKeys_KeyId",
                        column: x => x.KeyId,
                        principalTable: "ApiKeys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_KeyFailures_At",
                table: "KeyFailures",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_KeyFailures_KeyId_At",
                table: "KeyFailures",
                columns: new[] { "KeyId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_UsageBuckets_HourStart",
                table: "UsageBuckets",
                column: "HourStart");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "KeyFailures");

            migrationBuilder.DropTable(
                name: "UsageBuckets");
        }
    }
}

using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BizKeys.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SupportLeaksRotationAndRecentRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "PreviousSecretLastUsedAt",
                table: "ApiKeys",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PreviousSecretUses",
                table: "ApiKeys",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "KeyRequests",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    KeyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Ip = table.Column<string>(type: "TEXT", maxLength: 45, nullable: true),
                    Permission = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Secret = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KeyRequests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_KeyRequests_ApiKeys_KeyId",
                        column: x => x.KeyId,
                        principalTable: "ApiKeys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LeakNotices",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    KeyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", unicode: false, maxLength: 27, nullable: false),
                    KeyName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ReportedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AcknowledgedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    AcknowledgedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LeakNotices", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LeakNotices_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SupportGrants",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    GrantedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SupportGrants", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SupportGrants_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SupportLog",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Ip = table.Column<string>(type: "TEXT", maxLength: 45, nullable: true),
                    Action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SupportLog", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_PreviousSecretHash",
                table: "ApiKeys",
                column: "PreviousSecretHash",
                filter: "\"PreviousSecretHash\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_SecretHash",
                table: "ApiKeys",
                column: "SecretHash");

            migrationBuilder.CreateIndex(
                name: "IX_KeyRequests_At",
                table: "KeyRequests",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_KeyRequests_KeyId_At_Id",
                table: "KeyRequests",
                columns: new[] { "KeyId", "At", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_KeyRequests_KeyId_Id",
                table: "KeyRequests",
                columns: new[] { "KeyId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_LeakNotices_AccountId_AcknowledgedAt",
                table: "LeakNotices",
                columns: new[] { "AccountId", "AcknowledgedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_SupportGrants_AccountId_GrantedAt",
                table: "SupportGrants",
                columns: new[] { "AccountId", "GrantedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_SupportGrants_AccountId_UserId_ExpiresAt",
                table: "SupportGrants",
                columns: new[] { "AccountId", "UserId", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_SupportLog_At",
                table: "SupportLog",
                column: "At");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "KeyRequests");

            migrationBuilder.DropTable(
                name: "LeakNotices");

            migrationBuilder.DropTable(
                name: "SupportGrants");

            migrationBuilder.DropTable(
                name: "SupportLog");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_PreviousSecretHash",
                table: "ApiKeys");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_SecretHash",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "PreviousSecretLastUsedAt",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "PreviousSecretUses",
                table: "ApiKeys");
        }
    }
}

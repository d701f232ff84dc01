using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BizKeys.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class KeyIdentifierTags : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Keys that exist already were issued without a tag: they stay valid, remembered by value.
            migrationBuilder.AddColumn<bool>(
                name: "UntaggedId",
                table: "ApiKeys",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.CreateTable(
                name: "Installations",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    KeyIdTagKey = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Installations", x => x.Id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Installations");

            migrationBuilder.DropColumn(
                name: "UntaggedId",
                table: "ApiKeys");
        }
    }
}

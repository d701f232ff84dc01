using System.Text;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Support;
using Microsoft.Data.Sqlite;

namespace BizKeys.Tests.Core;

/// <remarks>Tests of the SQLite file itself: they run in the SQLite pass only.</remarks>
[Trait("Category", "SqliteFile")]
public class SecretStorageTests
{
    [Fact]
    public async Task After_create_and_rotate_no_secret_text_is_in_the_database_or_its_wal()
    {
        var secrets = new List<string>();
        string directory;
        await using (var db = await TestDatabase.CreateAsync())
        {
            directory = db.Directory;
            // Hold a connection open so SQLite keeps its WAL and shared-memory files while we read them.
            await using var keepOpen = new SqliteConnection($"Data Source={db.DatabasePath}");
            await keepOpen.OpenAsync();
            var issued = await db.CreateKeyAsync();
            secrets.Add(issued.Secret);
            var rotated = await db.Keys.RotateAsync(
                new RotateKeyRequest { AccountId = db.Account.Id, Key = issued.Key.Key, GraceMinutes = 60 }, db.Owner);
            secrets.Add(rotated.Secret);

            var files = Directory.GetFiles(directory, "bizkeys.db*");
            Assert.Contains(files, f => f.EndsWith("-wal", StringComparison.Ordinal));
            var key = Encoding.ASCII.GetBytes(issued.Key.Key);
            var contents = new Dictionary<string, byte[]>();
            foreach (var file in files)
                contents[Path.GetFileName(file)] = await ReadSharedAsync(file);
            Assert.True(contents.Values.Any(bytes => Contains(bytes, key)), "the key id itself should be stored (sanity check of the search)");
            foreach (var (file, bytes) in contents)
            {
                foreach (var secret in secrets)
                {
                    Assert.False(Contains(bytes, Encoding.ASCII.GetBytes(secret)), $"secret found in {file}");
                    Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(secret[4..])), $"secret body found in {file}");
                    Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(secret)), $"UTF-16 secret found in {file}");
                }
            }
        }
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}

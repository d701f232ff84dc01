using System.Data.Common;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.Verification;

/// <summary>
/// In a service that verifies keys from BizKeys' database: loads the installation's identifier tag key before the
/// service starts listening. BizKeys makes and migrates the database; until it has, the service waits and says why,
/// every few seconds, instead of answering 500s.
/// </summary>
public sealed partial class KeyIdentifierLoader(DatabaseConnections connections, KeyIdentifiers identifiers, ILogger<KeyIdentifierLoader> logger) : IHostedService
{
    public static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await LoadAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is DbException or IOException or InvalidOperationException)
            {
                LogWaiting(logger, e.Message.TrimEnd('.'));
                await Task.Delay(RetryEvery, cancellationToken);
            }
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var tag = connection.CreateCommand();
        tag.CommandText = "SELECT \"KeyIdTagKey\" FROM \"Installations\"";
        var tagKey = await tag.ExecuteScalarAsync(ct) as byte[]
            ?? throw new InvalidOperationException("BizKeys has not set up this database yet (no installation row)");
        await using var untagged = connection.CreateCommand();
        untagged.CommandText = "SELECT \"Key\" FROM \"ApiKeys\" WHERE \"UntaggedId\"";
        var keys = new List<string>();
        await using (var reader = await untagged.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                keys.Add(reader.GetString(0));
        }
        identifiers.Load(tagKey, keys);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "Waiting for BizKeys' database: {Reason}. Start BizKeys (it creates and migrates the database) or check ConnectionStrings:BizKeys; trying again in 2 s")]
    private static partial void LogWaiting(ILogger logger, string reason);
}

using BizKeys.Core.ApiKeys;
using Microsoft.Extensions.Hosting;

namespace BizKeys.AspNetCore.Remote;

/// <summary>Remote mode holds no tag key: identifiers are checked for shape here, and BizKeys answers the rest.</summary>
internal sealed class ShapeOnlyIdentifiers(KeyIdentifiers identifiers) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        identifiers.AcceptAnyWellFormed();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

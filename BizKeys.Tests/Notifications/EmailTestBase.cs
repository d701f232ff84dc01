using BizKeys.Core;
using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Mail;
using BizKeys.Core.Notifications;
using BizKeys.Tests.Support;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace BizKeys.Tests.Notifications;

/// <summary>A test database whose mail goes to a real SMTP server of the test, and one round of the mail jobs.</summary>
public abstract class EmailTestBase : IAsyncLifetime
{
    protected readonly SmtpTestServer _smtp = SmtpTestServer.Start();
    protected TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync(settings: _smtp.Settings());

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        _smtp.Dispose();
    }

    protected EmailNotifications Emails => _db.Services.GetRequiredService<EmailNotifications>();

    /// <summary>What one round of every job does: scheduled events, mail queued for them, mail sent.</summary>
    protected static async Task RunJobsAsync(IServiceProvider services)
    {
        await services.GetRequiredService<KeyEventScheduler>().RunOnceAsync();
        await services.GetRequiredService<NotificationMailer>().RunOnceAsync();
        await services.GetRequiredService<MailSender>().RunOnceAsync();
    }

    protected Task RunJobsAsync() => RunJobsAsync(_db.Services);

    protected async Task<List<OutgoingMail>> QueuedAsync()
    {
        await using var db = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        return await db.OutgoingMails.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }
}

using BizKeys.Core.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BizKeys.Core.Data.Configurations;

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.Property(e => e.Url).HasMaxLength(WebhookEndpoint.UrlMaxLength);
        builder.Property(e => e.Description).HasMaxLength(WebhookEndpoint.DescriptionMaxLength);
        builder.Property(e => e.CreatedBy).HasMaxLength(ApiKeys.ApiKey.ActorMaxLength);
        builder.Property(e => e.ProtectedSecret).HasMaxLength(1024);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(e => e.AccountId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => e.AccountId);
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.Ignore(m => m.WebhookId);
        builder.Property(m => m.Type).HasMaxLength(OutboxMessage.TypeMaxLength);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
        // The senders look for what they have not fanned out yet.
        builder.HasIndex(m => m.DispatchedAt);
        builder.HasIndex(m => m.MailedAt);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.Property(d => d.Type).HasMaxLength(OutboxMessage.TypeMaxLength);
        builder.Property(d => d.LastError).HasMaxLength(WebhookDelivery.ErrorMaxLength);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<OutboxMessage>().WithMany().HasForeignKey(d => d.MessageId).OnDelete(DeleteBehavior.Cascade);
        // One delivery per message and endpoint, whichever instance fans it out and however often.
        builder.HasIndex(d => new { d.MessageId, d.EndpointId }).IsUnique();
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt });
        builder.HasIndex(d => new { d.EndpointId, d.CreatedAt });
    }
}

internal sealed class KeyEventMarkConfiguration : IEntityTypeConfiguration<KeyEventMark>
{
    public void Configure(EntityTypeBuilder<KeyEventMark> builder)
    {
        builder.HasKey(m => new { m.KeyId, m.Mark });
        builder.Property(m => m.Mark).HasMaxLength(KeyEventMark.MarkMaxLength);
        builder.HasOne<ApiKeys.ApiKey>().WithMany().HasForeignKey(m => m.KeyId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AccountEventMarkConfiguration : IEntityTypeConfiguration<AccountEventMark>
{
    public void Configure(EntityTypeBuilder<AccountEventMark> builder)
    {
        builder.HasKey(m => new { m.AccountId, m.Mark });
        builder.Property(m => m.Mark).HasMaxLength(KeyEventMark.MarkMaxLength);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EmailSettingsConfiguration : IEntityTypeConfiguration<EmailSettings>
{
    public void Configure(EntityTypeBuilder<EmailSettings> builder)
    {
        builder.HasKey(s => s.AccountId);
        builder.Property(s => s.UpdatedBy).HasMaxLength(ApiKeys.ApiKey.ActorMaxLength);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(s => s.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OutgoingMailConfiguration : IEntityTypeConfiguration<Mail.OutgoingMail>
{
    public void Configure(EntityTypeBuilder<Mail.OutgoingMail> builder)
    {
        builder.Property(m => m.Kind).HasMaxLength(Mail.OutgoingMail.KindMaxLength);
        builder.Property(m => m.To).HasMaxLength(Mail.OutgoingMail.AddressMaxLength);
        builder.Property(m => m.Subject).HasMaxLength(Mail.OutgoingMail.SubjectMaxLength);
        builder.Property(m => m.LastError).HasMaxLength(Mail.OutgoingMail.ErrorMaxLength);
        builder.Property(m => m.UnsubscribeUrl).HasMaxLength(2048);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
        // One mail per outbox message and address, whichever instance fans it out and however often.
        builder.HasIndex(m => new { m.SourceId, m.To }).IsUnique();
        builder.HasIndex(m => new { m.Status, m.NextAttemptAt });
        builder.HasIndex(m => new { m.AccountId, m.CreatedAt });
    }
}

using Referrals.Cli;

return await CliApp.Create().Parse(args).InvokeAsync();

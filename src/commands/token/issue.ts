import { ClientCommand } from "../../cli/client-command.js";
import { expiresText } from "../../client/format.js";

export default class TokenIssue extends ClientCommand<typeof TokenIssue> {
  static override summary = "Issue new token";

  async run(): Promise<void> {
    const ref = await this.session().authRef();
    const data: Record<string, string> = { id: ref.token, expires: expiresText(ref.expiresAt) };
    if (ref.projectId) data.project_id = ref.projectId;
    data.user_id = ref.userId;
    if (ref.domainId) data.domain_id = ref.domainId;
    if (ref.systemScoped) data.system = "all";
    await this.printOne(
      Object.fromEntries(
        Object.keys(data)
          .sort()
          .map((k) => [k, data[k]]),
      ),
    );
  }
}

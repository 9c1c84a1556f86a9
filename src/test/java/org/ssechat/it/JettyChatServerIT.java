package org.ssechat.it;

import org.ssechat.testing.WarServer;

class JettyChatServerIT extends ChatServerContract {
    @Override
    WarServer.Kind kind() {
        return WarServer.Kind.JETTY;
    }
}

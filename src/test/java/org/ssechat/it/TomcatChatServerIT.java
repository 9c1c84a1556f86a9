package org.ssechat.it;

import org.ssechat.testing.WarServer;

class TomcatChatServerIT extends ChatServerContract {
    @Override
    WarServer.Kind kind() {
        return WarServer.Kind.TOMCAT;
    }
}
